package io.tlwb.ui;

import java.util.Arrays;
import java.util.logging.LogManager;
import org.apache.logging.log4j.jul.Log4jBridgeHandler;

/**
 * Sends java.util.logging, which Vert.x 3.9 (the DL4J UI's web server) logs through by default, to the Log4j2
 * configuration the rest of the workbench uses. Levels set in {@code log4j2.xml} (e.g. {@code io.vertx} at WARN)
 * propagate to the JUL loggers, so filtered records are not even created.
 */
public final class JulBridge {

    private JulBridge() {
    }

    /** Installs the bridge on the JUL root logger, replacing its console handler; does nothing if already there. */
    public static synchronized void install() {
        if (!isInstalled()) {
            Log4jBridgeHandler.install(true, null, true);
        }
    }

    public static boolean isInstalled() {
        return Arrays.stream(LogManager.getLogManager().getLogger("").getHandlers())
                .anyMatch(h -> h instanceof Log4jBridgeHandler);
    }
}
