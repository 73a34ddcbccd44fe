package io.tlwb.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

/** What {@code GET /metrics} reports, in the Prometheus text format: requests, latency, batch sizes, queue depth. */
final class ServeMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("tlwb_requests")
            .help("HTTP requests answered, by endpoint and status code").labelNames("endpoint", "code")
            .register(registry);
    private final Histogram latency = Histogram.builder().name("tlwb_prediction_seconds")
            .help("Time from a prediction request's arrival to its answer").labelNames("model")
            .classicOnly().classicUpperBounds(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5)
            .register(registry);
    private final Histogram batchSize = Histogram.builder().name("tlwb_batch_size")
            .help("Images per engine call of the dynamic batcher").labelNames("model")
            .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64)
            .register(registry);

    /** @param queueDepth the images waiting for a model's inference thread */
    ServeMetrics(Iterable<String> models, ToIntFunction<String> queueDepth) {
        GaugeWithCallback.builder().name("tlwb_queue_depth").help("Images waiting for the inference thread")
                .labelNames("model")
                .callback(callback -> models.forEach(m -> callback.call(queueDepth.applyAsInt(m), m)))
                .register(registry);
    }

    /** @param endpoint predictions, models, ping, metrics or page: a fixed set, whatever the client sends */
    void answered(String endpoint, int code) {
        requests.labelValues(endpoint, Integer.toString(code)).inc();
    }

    void predicted(String model, double seconds) {
        latency.labelValues(model).observe(seconds);
    }

    void batch(String model, int size) {
        batchSize.labelValues(model).observe(size);
    }

    String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
