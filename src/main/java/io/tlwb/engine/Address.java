package io.tlwb.engine;

import org.bytedeco.javacpp.Pointer;

/** A pointer at an address computed in Java: an image's or a band's place in a buffer. */
final class Address extends Pointer {

    Address(long address) {
        this.address = address;
    }
}
