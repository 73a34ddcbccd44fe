package io.tlwb.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"tlwb " + (version == null ? "dev" : version) + ", DL4J 1.0.0-M2.1, Java " + Runtime.version()};
    }
}
