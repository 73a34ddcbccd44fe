package io.tlwb.data;

import io.tlwb.WorkbenchException;

/** A dataset the workbench cannot use as it is: the one-line message names the folder or file and the fix. */
public class DataException extends WorkbenchException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
