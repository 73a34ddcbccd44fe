package io.tlwb.data;

/** Bytes that are not an image this workbench can use, and why: the serving API maps the reason to a status. */
public final class ImageRejected extends DataException {

    /** Why the bytes were refused. */
    public enum Reason {
        /** Not a JPEG, PNG, BMP, GIF or WebP (unrecognised content, or a format whose size cannot be read before decoding). */
        NOT_AN_IMAGE,
        /** More pixels than allowed: refused from the header, before decoding. */
        TOO_MANY_PIXELS,
        /** A known format that does not decode (corrupt, truncated). */
        CORRUPT
    }

    private final Reason reason;

    ImageRejected(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
