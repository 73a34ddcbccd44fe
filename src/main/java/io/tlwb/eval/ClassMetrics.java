package io.tlwb.eval;

/** Precision, recall and F1 of one class, with how many validation images truly belong to it. */
public record ClassMetrics(String className, double precision, double recall, double f1, int support) {
}
