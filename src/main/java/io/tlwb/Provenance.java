package io.tlwb;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/** Versions and machine facts recorded with every model and run, so results can be traced and reproduced. */
public final class Provenance {

    public static final String DL4J_VERSION = "1.0.0-M2.1";

    private Provenance() {
    }

    public static Map<String, String> current() {
        Map<String, String> p = new LinkedHashMap<>();
        String tool = Provenance.class.getPackage().getImplementationVersion();
        p.put("tool", "tlwb " + (tool == null ? "dev" : tool));
        p.put("dl4j", DL4J_VERSION);
        p.put("nd4jBackend", Nd4j.getBackend().getClass().getSimpleName());
        p.put("java", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        p.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        p.put("created", Instant.now().toString());
        return p;
    }
}
