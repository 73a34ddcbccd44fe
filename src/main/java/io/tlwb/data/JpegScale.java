package io.tlwb.data;

/**
 * How far a JPEG can be scaled down while it decodes: libjpeg decodes at 1/2, 1/4 or 1/8 of the full size by
 * dropping DCT coefficients, several times faster than a full decode. The pipeline asks for the smallest scale that
 * still covers the target size on both sides, then shrinks the rest of the way with area interpolation as always:
 * a 2592 px photo for a 160 px model decodes at 1/8.
 */
final class JpegScale {

    private static final int[] REDUCTIONS = {8, 4, 2};

    private JpegScale() {
    }

    /** 8, 4, 2 or 1: the largest reduction of the JPEG in {@code bytes} keeping both sides at least {@code size}. */
    static int reduction(byte[] bytes, int size) {
        int[] wh = dimensions(bytes);
        if (wh == null) {
            return 1;
        }
        for (int r : REDUCTIONS) {
            // libjpeg rounds scaled sizes up
            if ((wh[0] + r - 1) / r >= size && (wh[1] + r - 1) / r >= size) {
                return r;
            }
        }
        return 1;
    }

    /** {width, height} from a JPEG's start-of-frame marker, or null when {@code bytes} is not a readable JPEG. */
    static int[] dimensions(byte[] bytes) {
        if (bytes.length < 4 || (bytes[0] & 0xFF) != 0xFF || (bytes[1] & 0xFF) != 0xD8) {
            return null;
        }
        int i = 2;
        while (i + 3 < bytes.length) {
            if ((bytes[i] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = bytes[i + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
                i += 2;
                continue;
            }
            int length = ((bytes[i + 2] & 0xFF) << 8) | (bytes[i + 3] & 0xFF);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                if (i + 8 >= bytes.length) {
                    return null;
                }
                int height = ((bytes[i + 5] & 0xFF) << 8) | (bytes[i + 6] & 0xFF);
                int width = ((bytes[i + 7] & 0xFF) << 8) | (bytes[i + 8] & 0xFF);
                return width > 0 && height > 0 ? new int[]{width, height} : null;
            }
            if (marker == 0xDA || length < 2) { // start of scan before any frame header
                return null;
            }
            i += 2 + length;
        }
        return null;
    }
}
