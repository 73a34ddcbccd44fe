package io.tlwb.pretrained;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5F_LIBVER_LATEST;
import static org.bytedeco.hdf5.global.hdf5.H5F_LIBVER_V18;
import static org.bytedeco.hdf5.global.hdf5.H5Gclose;
import static org.bytedeco.hdf5.global.hdf5.H5Gcreate2;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;
import static org.bytedeco.hdf5.global.hdf5.H5P_CLS_GROUP_CREATE_ID_g;
import static org.bytedeco.hdf5.global.hdf5.H5P_DEFAULT;
import static org.bytedeco.hdf5.global.hdf5.H5Pclose;
import static org.bytedeco.hdf5.global.hdf5.H5Pcreate;
import static org.bytedeco.hdf5.global.hdf5.H5Pset_obj_track_times;
import static org.bytedeco.hdf5.global.hdf5.H5T_STRING;
import static org.bytedeco.hdf5.global.hdf5.H5T_STR_NULLPAD;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DSetAccPropList;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.FileAccPropList;
import org.bytedeco.hdf5.FileCreatPropList;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.LinkCreatPropList;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

/**
 * Reads and writes Keras HDF5 files laid out as Keras 2.2.4 does, with the HDF5 C++ API that DL4J's Keras import
 * already ships ({@code org.bytedeco.hdf5}).
 *
 * <pre>
 * full model (model.save)                     weights only (save_weights, keras-applications *_no_top.h5)
 * /  @keras_version @backend @model_config    /  @keras_version @backend @layer_names
 * /model_weights  @layer_names ...            /Conv1  @weight_names = ["Conv1/kernel:0"]
 * /model_weights/Conv1  @weight_names         /Conv1/Conv1/kernel:0   float32 [3,3,3,32]
 * /model_weights/Conv1/Conv1/kernel:0
 * </pre>
 *
 * Strings are fixed-length, null-padded, as h5py writes numpy bytes; that is also what DL4J's {@code Hdf5Archive}
 * reads back. The HDF5 library is not thread-safe, so every call holds DL4J's lock.
 */
final class KerasH5 {
    static final String MODEL_WEIGHTS = "model_weights";

    static {
        Loader.load(org.bytedeco.hdf5.global.hdf5.class);
        org.bytedeco.hdf5.Exception.dontPrint();
    }

    private KerasH5() {
    }

    /** What a Keras HDF5 file holds. {@code modelConfig} is null for a weights-only file. */
    record Contents(String kerasVersion, String backend, String modelConfig, List<LayerWeights> layers) {
        boolean weightsOnly() {
            return modelConfig == null;
        }

        Map<String, LayerWeights> byLayer() {
            Map<String, LayerWeights> m = new LinkedHashMap<>();
            layers.forEach(l -> m.put(l.layer(), l));
            return m;
        }
    }

    /** Writes a full model file: root config attributes plus {@code /model_weights}. */
    static void writeModel(Path file, String kerasVersion, String backend, String modelConfigJson,
                           List<LayerWeights> layers) {
        write(file, kerasVersion, backend, modelConfigJson, layers);
    }

    /** Writes a weights-only file, the layout of {@code model.save_weights} and the keras-applications downloads. */
    static void writeWeightsOnly(Path file, String kerasVersion, String backend, List<LayerWeights> layers) {
        write(file, kerasVersion, backend, null, layers);
    }

    /**
     * Every HDF5 handle a method opens, closed in reverse order when the method ends (also on failure). Leaving one
     * to the garbage collector would close it on JavaCPP's deallocator thread, outside the HDF5 lock, which
     * crashed the JVM in H5T_close.
     */
    private static final class Scope implements AutoCloseable {
        private final List<Pointer> handles = new ArrayList<>();

        <T extends Pointer> T add(T handle) {
            handles.add(handle);
            return handle;
        }

        @Override
        public void close() {
            for (int i = handles.size() - 1; i >= 0; i--) {
                Pointer p = handles.get(i);
                if (p != null && !p.isNull()) {
                    p.deallocate();
                }
            }
            handles.clear();
        }
    }

    private static void write(Path file, String kerasVersion, String backend, String modelConfigJson,
                              List<LayerWeights> layers) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (Scope scope = new Scope()) {
                // The 1.8 object format stores attributes over 64 KB (the MobileNetV2 model_config) densely.
                FileAccPropList access = scope.add(new FileAccPropList());
                access.setLibverBounds(H5F_LIBVER_V18, H5F_LIBVER_LATEST);
                // no modification times in object headers: the same weights always give the same bytes, so the
                // file's sha256 (feature cache keys, model cards, Spark feature stores) is the same on every machine
                FileCreatPropList create = scope.add(new FileCreatPropList());
                requireOk(H5Pset_obj_track_times(create.getId(), false), "root group");
                H5File h5 = scope.add(new H5File(file.toString(), H5F_ACC_TRUNC(), create, access));
                Group weightsRoot = h5;
                if (modelConfigJson != null) {
                    writeString(h5, "keras_version", kerasVersion);
                    writeString(h5, "backend", backend);
                    writeString(h5, "model_config", modelConfigJson);
                    weightsRoot = untimedGroup(h5, MODEL_WEIGHTS, scope);
                }
                writeStrings(weightsRoot, "layer_names", layers.stream().map(LayerWeights::layer).toList());
                writeString(weightsRoot, "backend", backend);
                writeString(weightsRoot, "keras_version", kerasVersion);
                for (LayerWeights layer : layers) {
                    try (Scope inner = new Scope()) {
                        Group g = untimedGroup(weightsRoot, layer.layer(), inner);
                        writeStrings(g, "weight_names", layer.weights().stream().map(Tensor::name).toList());
                        for (Tensor t : layer.weights()) {
                            writeTensor(g, t);
                        }
                    }
                }
            }
        }
    }

    private static void writeTensor(Group layerGroup, Tensor t) {
        // "Conv1/kernel:0" lives in subgroup "Conv1" of the layer group, as h5py creates it.
        String[] parts = t.name().split("/");
        try (Scope scope = new Scope()) {
            Group parent = layerGroup;
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent.nameExists(parts[i]) ? scope.add(parent.openGroup(parts[i]))
                        : untimedGroup(parent, parts[i], scope);
            }
            DataSpace space = scope.add(new DataSpace(t.shape().length, t.shape()));
            DSetCreatPropList create = scope.add(new DSetCreatPropList());
            requireOk(H5Pset_obj_track_times(create.getId(), false), t.name());
            DataSet ds = scope.add(parent.createDataSet(parts[parts.length - 1], PredType.IEEE_F32LE(), space, create,
                    DSetAccPropList.DEFAULT(), LinkCreatPropList.DEFAULT()));
            FloatPointer fp = scope.add(new FloatPointer(t.data()));
            ds.write(fp, PredType.NATIVE_FLOAT());
        }
    }

    /** A new group without modification times (the C++ API takes no group creation properties). */
    private static Group untimedGroup(Group parent, String name, Scope scope) {
        long properties = H5Pcreate(H5P_CLS_GROUP_CREATE_ID_g());
        try {
            requireOk(H5Pset_obj_track_times(properties, false), name);
            long id = H5Gcreate2(parent.getId(), name, H5P_DEFAULT(), properties, H5P_DEFAULT());
            requireOk(id, name);
            Group group = scope.add(new Group(id)); // takes its own reference
            H5Gclose(id);
            return group;
        } finally {
            H5Pclose(properties);
        }
    }

    private static void requireOk(long status, String what) {
        if (status < 0) {
            throw new IllegalStateException("HDF5 failed creating " + what + " (status " + status + ")");
        }
    }

    private static void writeString(Group g, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (Scope scope = new Scope()) {
            StrType type = scope.add(new StrType(PredType.C_S1(), Math.max(1, bytes.length)));
            type.setStrpad(H5T_STR_NULLPAD);
            DataSpace scalar = scope.add(new DataSpace());
            Attribute a = scope.add(g.createAttribute(name, type, scalar));
            BytePointer bp = scope.add(new BytePointer(Math.max(1, bytes.length)));
            bp.put(bytes);
            a.write(type, (Pointer) bp); // the BytePointer overload is the std::string one: it stops at NUL
        }
    }

    private static void writeStrings(Group g, String name, List<String> values) {
        List<byte[]> encoded = values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
        int width = Math.max(1, encoded.stream().mapToInt(b -> b.length).max().orElse(1));
        byte[] buf = new byte[Math.max(1, width * values.size())];
        for (int i = 0; i < encoded.size(); i++) {
            System.arraycopy(encoded.get(i), 0, buf, i * width, encoded.get(i).length);
        }
        try (Scope scope = new Scope()) {
            StrType type = scope.add(new StrType(PredType.C_S1(), width));
            type.setStrpad(H5T_STR_NULLPAD);
            DataSpace space = scope.add(new DataSpace(1, new long[]{values.size()}));
            Attribute a = scope.add(g.createAttribute(name, type, space));
            BytePointer bp = scope.add(new BytePointer(buf.length));
            bp.put(buf);
            a.write(type, (Pointer) bp);
        }
    }

    /** Reads a whole Keras file: its config (if any) and every layer's weights in {@code layer_names} order. */
    static Contents read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException(file + " does not exist or is not a file: check the path");
        }
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (Scope scope = new Scope()) {
                H5File h5;
                try {
                    h5 = scope.add(new H5File(file.toString(), H5F_ACC_RDONLY()));
                } catch (RuntimeException e) {
                    throw new WeightsException(file + " is not a readable HDF5 file (truncated or corrupt?): "
                            + "download or export it again", e);
                }
                String modelConfig = h5.attrExists("model_config") ? readString(h5, "model_config") : null;
                Group root = modelConfig != null && h5.nameExists(MODEL_WEIGHTS)
                        ? scope.add(h5.openGroup(MODEL_WEIGHTS)) : h5;
                String kerasVersion = attrOr(h5, root, "keras_version");
                String backend = attrOr(h5, root, "backend");
                List<String> layerNames = root.attrExists("layer_names")
                        ? readStrings(root, "layer_names") : children(root, H5O_TYPE_GROUP);
                List<LayerWeights> layers = new ArrayList<>();
                for (String layerName : layerNames) {
                    if (!root.nameExists(layerName)) {
                        layers.add(new LayerWeights(layerName, List.of()));
                        continue;
                    }
                    try (Scope inner = new Scope()) {
                        Group g = inner.add(root.openGroup(layerName));
                        List<String> weightNames = g.attrExists("weight_names")
                                ? readStrings(g, "weight_names") : List.of();
                        List<Tensor> tensors = new ArrayList<>();
                        for (String w : weightNames) {
                            tensors.add(readTensor(g, w));
                        }
                        layers.add(new LayerWeights(layerName, tensors));
                    }
                }
                return new Contents(kerasVersion, backend, modelConfig, layers);
            } catch (WeightsException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new WeightsException(file + " is not a Keras HDF5 file DL4J can read (" + oneLine(e)
                        + "): export it with model.save() or model.save_weights() to .h5", e);
            }
        }
    }

    private static String attrOr(Group a, Group b, String name) {
        if (a.attrExists(name)) {
            return readString(a, name);
        }
        return b.attrExists(name) ? readString(b, name) : null;
    }

    private static Tensor readTensor(Group layerGroup, String path) {
        try (Scope scope = new Scope()) {
            DataSet ds = scope.add(layerGroup.openDataSet(path));
            DataSpace space = scope.add(ds.getSpace());
            int rank = space.getSimpleExtentNdims();
            long[] dims = new long[rank];
            space.getSimpleExtentDims(dims);
            long n = space.getSimpleExtentNpoints();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalStateException("dataset " + path + " is too large");
            }
            float[] data = new float[(int) n];
            FloatPointer fp = scope.add(new FloatPointer(Math.max(1, n)));
            ds.read(fp, PredType.NATIVE_FLOAT());
            fp.get(data);
            return new Tensor(path, dims, data);
        }
    }

    static String readString(Group g, String name) {
        List<String> all = readStrings(g, name);
        return all.isEmpty() ? "" : all.get(0);
    }

    /** A string attribute (scalar or 1-D; fixed or variable length) as a list of strings. */
    static List<String> readStrings(Group g, String name) {
        try (Scope scope = new Scope()) {
            Attribute a = scope.add(g.openAttribute(name));
            DataSpace space = scope.add(a.getSpace());
            long n = space.getSimpleExtentNpoints();
            DataType fileType = scope.add(a.getDataType());
            List<String> out = new ArrayList<>();
            if (n == 0 || fileType._getClass() != H5T_STRING) {
                return out; // h5py writes an empty name list as an empty float array
            }
            StrType type = scope.add(a.getStrType());
            if (type.isVariableStr()) {
                PointerPointer<BytePointer> ptrs = scope.add(new PointerPointer<>(n));
                a.read(type, ptrs);
                for (int i = 0; i < n; i++) {
                    BytePointer p = ptrs.get(BytePointer.class, i);
                    out.add(p == null ? "" : p.getString(StandardCharsets.UTF_8));
                }
                return out;
            }
            int width = (int) type.getSize();
            byte[] buf = new byte[(int) (width * n)];
            BytePointer bp = scope.add(new BytePointer(buf.length));
            a.read(type, (Pointer) bp);
            bp.get(buf);
            for (int i = 0; i < n; i++) {
                int end = i * width;
                int limit = end + width;
                while (end < limit && buf[end] != 0) {
                    end++;
                }
                out.add(new String(buf, i * width, end - i * width, StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    private static List<String> children(Group g, int type) {
        List<String> names = new ArrayList<>();
        for (long i = 0; i < g.getNumObjs(); i++) {
            String child = g.getObjnameByIdx(i).getString();
            if (g.childObjType(child) == type) {
                names.add(child);
            }
        }
        return names;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
