package io.tlwb.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;

/** A few values as Java serialization writes them: what a saved transformer computes with (its base or model). */
final class Serialized {

    private Serialized() {
    }

    static byte[] bytes(Object... values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            for (Object value : values) {
                out.writeObject(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + values.length + " values", e);
        }
        return bytes.toByteArray();
    }

    /** The {@code count} values {@link #bytes} wrote. */
    static Object[] values(byte[] bytes, int count) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                values[i] = in.readObject();
            }
            return values;
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("saved data that this build cannot read (" + e + "): save it again "
                    + "with this build", e);
        }
    }
}
