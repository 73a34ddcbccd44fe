package io.tlwb.ui;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.deeplearning4j.ui.VertxUIServer;

/**
 * DL4J's UI server, but listening on the address and port we choose. {@code VertxUIServer} in 1.0.0-M2.1 always
 * listens on all interfaces ({@code HttpServer.listen(port, handler)}), so this verticle hands it a Vert.x whose HTTP
 * servers listen on {@code host} instead; everything else is DL4J's own code.
 */
final class LoopbackUIServer extends VertxUIServer {

    private final String host;
    private final int port;

    LoopbackUIServer(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void init(Vertx vertx, Context context) {
        super.init(bindingTo(vertx), context);
    }

    private Vertx bindingTo(Vertx real) {
        InvocationHandler vertxCalls = (proxy, method, args) -> {
            Object result = invoke(real, method, args);
            return result instanceof HttpServer server && method.getName().equals("createHttpServer")
                    ? listeningOnHost(server) : result;
        };
        return (Vertx) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {VertxInternal.class}, vertxCalls);
    }

    private HttpServer listeningOnHost(HttpServer real) {
        Object[] self = new Object[1];
        InvocationHandler serverCalls = (proxy, method, args) -> {
            if (method.getName().equals("listen") && args != null && args.length == 2 && args[0] instanceof Integer) {
                Method withHost = HttpServer.class.getMethod("listen", int.class, String.class, method.getParameterTypes()[1]);
                invoke(real, withHost, new Object[] {port, host, args[1]});
                return proxy;
            }
            Object result = invoke(real, method, args);
            return result == real ? self[0] : result;
        };
        self[0] = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpServer.class}, serverCalls);
        return (HttpServer) self[0];
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
