package io.tlwb.ui;

import io.tlwb.WorkbenchException;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.deeplearning4j.core.storage.StatsStorage;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.deeplearning4j.ui.VertxUIServer;

/**
 * DL4J's training dashboard ({@code UIServer}: overview, model and system pages), on this machine's loopback address
 * by default. The DL4J server is one per process, so is this: {@link #start} fails while another is open.
 *
 * <pre>{@code
 * try (Dashboard ui = Dashboard.start(Dashboard.LOOPBACK, 9000, out)) {
 *     ui.show(RunStats.open(runDir));
 *     ui.waitUntilStopped(StopSignal.CTRL_C, out);
 * }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {

    public static final int DEFAULT_PORT = 9000;
    public static final String LOOPBACK = "127.0.0.1";
    /** How many ports from the requested one up are tried before giving up. */
    static final int PORTS_TRIED = 20;
    private static final long START_TIMEOUT_SECONDS = 60;

    private static Dashboard open;

    private final VertxUIServer server;
    private final String bindAddress;
    private final int port;
    private final List<RunStats> shown = new ArrayList<>();
    private final Thread shutdownHook;
    private final long startedAt;
    private boolean closed;

    private Dashboard(VertxUIServer server, String bindAddress, int port, long startedAt) {
        this.startedAt = startedAt;
        this.server = server;
        this.bindAddress = bindAddress;
        this.port = port;
        this.shutdownHook = new Thread(this::close, "tlwb-dashboard-shutdown");
    }

    /**
     * Starts the dashboard on {@code bindAddress:port}. A port in use is not an error: the next free one (up to
     * {@value #PORTS_TRIED} above) is taken and that is said on {@code out}.
     *
     * @param port 1-65535, or 0 for any free port
     */
    public static synchronized Dashboard start(String bindAddress, int port, PrintWriter out) {
        if (port < 0 || port > 65535) {
            throw new WorkbenchException("--ui-port must be between 1 and 65535 (or 0 for any free port), got " + port);
        }
        if (open != null || (VertxUIServer.getInstance() != null && !VertxUIServer.getInstance().isStopped())) {
            throw new WorkbenchException("a DL4J dashboard is already running in this process"
                    + (open != null ? " at " + open.url() : "") + ": stop it before starting another");
        }
        InetAddress address = resolve(bindAddress);
        int chosen = port == 0 ? 0 : firstFreePort(address, port);
        if (chosen != port) {
            out.printf("port %d on %s is in use; the dashboard takes port %d instead%n", port, bindAddress, chosen);
        }
        JulBridge.install();
        long startedAt = System.currentTimeMillis();
        VertxUIServer.getMultiSession().set(false); // one page with a session selector for all attached runs
        VertxUIServer.setStatsStorageProvider(null);
        LoopbackUIServer server = new LoopbackUIServer(address.getHostAddress(), chosen);
        Vertx vertx = Vertx.vertx();
        CompletableFuture<String> deployed = new CompletableFuture<>();
        vertx.deployVerticle(server, result -> {
            if (result.succeeded()) {
                deployed.complete(result.result());
            } else {
                deployed.completeExceptionally(result.cause());
            }
        });
        try {
            deployed.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            stopServer();
            vertx.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new WorkbenchException("the dashboard could not listen on " + bindAddress + ":" + chosen + " ("
                    + cause.getMessage() + "): pass another --ui-port", e);
        }
        Dashboard dashboard = new Dashboard(server, bindAddress, server.getPort(), startedAt);
        Runtime.getRuntime().addShutdownHook(dashboard.shutdownHook);
        open = dashboard;
        return dashboard;
    }

    /** Shows a run's stats: live while it records, or as saved. Several runs appear in the session selector. */
    public synchronized void show(RunStats stats) {
        attach(stats.storage());
        shown.add(stats);
    }

    /** Shows any DL4J stats storage, e.g. an Arbiter search's, whose pages live under {@link #arbiterUrl()}. */
    public synchronized void attach(StatsStorage storage) {
        if (closed) {
            throw new IllegalStateException("the dashboard at " + url() + " is stopped");
        }
        server.attach(storage);
    }

    /** Where a browser finds Arbiter's hyperparameter search page. */
    public URI arbiterUrl() {
        return url().resolve("/arbiter");
    }

    /** Where a browser finds the training overview, e.g. {@code http://localhost:9000/train/overview}. */
    public URI url() {
        String host = resolve(bindAddress).isLoopbackAddress() || resolve(bindAddress).isAnyLocalAddress()
                ? "localhost" : bindAddress;
        return URI.create("http://" + host + ":" + port + "/train/overview");
    }

    /** The port actually listened on. */
    public int port() {
        return port;
    }

    /** Says where the dashboard is and that Ctrl-C stops it, waits for {@code stop}, then stops the server. */
    public void waitUntilStopped(StopSignal stop, PrintWriter out) {
        out.printf("dashboard at %s - press Ctrl-C to stop%n", url());
        out.flush();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    public synchronized boolean isStopped() {
        return closed;
    }

    /** Detaches the shown runs (their files stay open for their owners to close) and stops the server. Idempotent. */
    @Override
    public void close() {
        synchronized (Dashboard.class) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (open == this) {
                    open = null;
                }
                for (RunStats stats : shown) {
                    try {
                        server.detach(stats.storage());
                    } catch (RuntimeException alreadyClosed) {
                        // its owner closed the file first; stopping the server is all that is left
                    }
                }
                shown.clear();
                stopServer();
                deleteUploadFolders(startedAt);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    private static void stopServer() {
        try {
            VertxUIServer.stopInstance();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("the DL4J UI server did not stop cleanly: " + e, e);
        }
    }

    /** VertxUIServer makes an empty {@code DL4JUI_<millis>} upload folder in the temp dir at every start. */
    private static void deleteUploadFolders(long since) {
        File[] leftovers = new File(System.getProperty("java.io.tmpdir")).listFiles((dir, name) ->
                name.matches("DL4JUI_\\d+") && Long.parseLong(name.substring("DL4JUI_".length())) >= since);
        if (leftovers != null) {
            for (File folder : leftovers) {
                folder.delete(); // only succeeds when empty, i.e. nothing was uploaded
            }
        }
    }

    private static int firstFreePort(InetAddress address, int from) {
        int last = Math.min(65535, from + PORTS_TRIED - 1);
        for (int p = from; p <= last; p++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(address, p));
                return p;
            } catch (IOException inUse) {
                // try the next one
            }
        }
        throw new WorkbenchException("ports " + from + "-" + last + " on " + address.getHostAddress()
                + " are all in use: pass --ui-port with a free port (or 0 for any)");
    }

    private static InetAddress resolve(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress);
        } catch (UnknownHostException e) {
            throw new WorkbenchException("cannot bind the dashboard to '" + bindAddress + "': unknown address; use "
                    + LOOPBACK + " (this machine only) or 0.0.0.0 (all interfaces)", e);
        }
    }

    @Override
    public String toString() {
        return "Dashboard(" + url() + (closed ? ", stopped" : "") + ")";
    }
}
