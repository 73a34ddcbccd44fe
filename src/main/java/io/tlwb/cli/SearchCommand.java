package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'search'.
@Command(name = "search", description = "(not built yet)")
final class SearchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("search is not built yet");
    }
}
