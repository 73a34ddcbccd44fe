package io.tlwb.pipeline;

import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Feature stores that featurize on a cluster, found at run time: the Spark one is built only with {@code -Pspark}
 * (it adds about 200 MB to the classpath), and registers itself as a {@link java.util.ServiceLoader} provider.
 */
public final class ClusterFeatureStores {

    /** A cluster feature store's maker, named by the option that selects it. */
    public interface Provider {
        /** The command-line option that selects it, e.g. {@code --spark}. */
        String option();

        /**
         * @param master where the cluster is, as its option was given (for Spark: {@code local[*]},
         *               {@code local-cluster[2,1,1024]}, {@code spark://host:7077}, {@code yarn}, ...)
         * @param store  where features persist (a path or Hadoop filesystem URI), or null to keep them in the
         *               workspace's feature cache
         */
        FeatureStore connect(String master, String store, Workspace workspace, PrintWriter out, PrintStream progress);
    }

    private ClusterFeatureStores() {
    }

    /**
     * The store {@code option} selects, connected to {@code master}, keeping features at {@code store} (or null: in the
     * workspace's cache).
     *
     * @throws WorkbenchException saying how to build with it when this build does not have it
     */
    public static FeatureStore connect(String option, String master, String store, Workspace workspace,
                                       PrintWriter out, PrintStream progress) {
        try {
            for (Provider provider : ServiceLoader.load(Provider.class)) {
                if (provider.option().equals(option)) {
                    return provider.connect(master, store, workspace, out, progress);
                }
            }
        } catch (ServiceConfigurationError | NoClassDefFoundError registeredButMissing) {
            // a provider listed by an earlier -Pspark build whose classes or jars this classpath lacks
        }
        throw new WorkbenchException(option + " needs the Spark build, which this one is not: run with "
                + "mvn -Pspark -q compile exec:java -Dexec.args=\"...\" (see the README's Spark section)");
    }
}
