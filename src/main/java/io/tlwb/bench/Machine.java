package io.tlwb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.tlwb.engine.FrozenBase;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/** What the bench ran on: CPU, cores, ND4J backend and the native build JavaCPP actually loaded. */
final class Machine {

    /** The system property that makes JavaCPP load e.g. the oneDNN build of ND4J ({@code -onednn}). */
    static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private Machine() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", field(cpuinfo, "model name"));
        String flags = field(cpuinfo, "flags");
        m.put("avx512", flags.contains("avx512f"));
        m.put("avx2", flags.contains("avx2"));
        m.put("memTotal", field(lines(Path.of("/proc/meminfo")), "MemTotal"));
        java.util.Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        m.put("nd4jBackend", String.valueOf(env.get("backend")));
        m.put("blas", env.get("blas.vendor") + ", " + env.get("blas.threads") + " threads, OMP "
                + env.get("omp.threads"));
        m.put("platformExtension", System.getProperty(EXTENSION_PROPERTY, ""));
        m.put("nd4jVariant", loadedVariant());
        String wait = System.getenv("OMP_WAIT_POLICY");
        m.put("ompWaitPolicy", wait == null ? "unset (libgomp spins)" : wait);
        m.put("ompNumThreads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        m.put("engineThreads", FrozenBase.threads());
        m.put("loadAverage", String.format(java.util.Locale.ROOT, "%.2f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }

    /** The folder name of the loaded libnd4jcpu, e.g. {@code linux-x86_64-onednn}: proof of what really runs. */
    static String loadedVariant() {
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            String path = String.valueOf(e.getValue());
            if (path.contains("nd4jcpu")) {
                Path parent = Path.of(path).getParent();
                return parent == null ? path : parent.getFileName().toString();
            }
        }
        return "unknown";
    }

    /** Peak resident set size of this process ({@code VmHWM}), in bytes; -1 where /proc is absent. */
    static long peakRssBytes() {
        String hwm = field(lines(Path.of("/proc/self/status")), "VmHWM");
        try {
            return Long.parseLong(hwm.replace("kB", "").trim()) * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String field(List<String> lines, String name) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }
}
