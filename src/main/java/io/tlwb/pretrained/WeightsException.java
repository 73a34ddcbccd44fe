package io.tlwb.pretrained;

import io.tlwb.WorkbenchException;

/** A weight source could not be fetched, verified or imported; the message names the file and the fix. */
public class WeightsException extends WorkbenchException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
