package io.tlwb.engine;

/**
 * The explicit signal that a graph holds something the engine cannot run exactly (a layer type, activation or
 * connection it does not know); the message names the vertex. Callers fall back to the DL4J graph on this exception
 * and on nothing else, so an unrelated native error is never mistaken for "use the slow path".
 */
public final class CannotCompile extends RuntimeException {

    CannotCompile(String message) {
        super(message);
    }
}
