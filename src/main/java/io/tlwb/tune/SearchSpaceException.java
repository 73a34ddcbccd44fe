package io.tlwb.tune;

import io.tlwb.WorkbenchException;

/** A search-space file the workbench cannot use: the message names the file, the key and what was expected. */
public final class SearchSpaceException extends WorkbenchException {
    public SearchSpaceException(String message) {
        super(message);
    }

    public SearchSpaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
