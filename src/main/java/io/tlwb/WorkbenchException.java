package io.tlwb;

/**
 * A failure the user can fix: bad input, a missing or damaged file, an unreachable download.
 * The message is one line that names the thing, what was wrong and the fix; the CLI prints it without a stack trace.
 */
public class WorkbenchException extends RuntimeException {
    public WorkbenchException(String message) {
        super(message);
    }

    public WorkbenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
