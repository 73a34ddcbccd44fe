package io.tlwb.ui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

class JulBridgeTest {

    @Test
    void vertxLogsReachLog4j2AtTheLevelsOfLog4j2Xml() {
        JulBridge.install();
        JulBridge.install(); // idempotent
        assertTrue(JulBridge.isInstalled());
        List<String> seen = new CopyOnWriteArrayList<>();
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                seen.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
        try {
            // Vert.x 3.9 logs through java.util.logging unless told otherwise
            io.vertx.core.logging.Logger vertx = io.vertx.core.logging.LoggerFactory.getLogger("io.vertx.tlwb.Probe");
            vertx.warn("port trouble");
            vertx.info("chatter");
        } finally {
            context.getConfiguration().getRootLogger().removeAppender("capture");
            context.updateLoggers();
            capture.stop();
        }
        assertTrue(seen.contains("WARN io.vertx.tlwb.Probe port trouble"), seen.toString());
        assertFalse(seen.stream().anyMatch(s -> s.contains("chatter")), "io.vertx is at WARN in log4j2.xml: " + seen);
    }
}
