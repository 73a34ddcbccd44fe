package io.tlwb.tune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

/**
 * One searched hyperparameter: either a list of values to choose from, or a range.
 *
 * @param values the choices (one value = fixed); empty for a range
 * @param min    lower end of a range (inclusive)
 * @param max    upper end of a range (inclusive)
 * @param scale  how a range is sampled, and how grid search spaces its points
 */
public record Dimension(List<Object> values, double min, double max, Scale scale) {

    /** {@code CHOICE} for value lists; ranges are {@code LINEAR}, {@code LOG} (log-uniform) or {@code INTEGER}. */
    public enum Scale { CHOICE, LINEAR, LOG, INTEGER }

    public Dimension {
        values = values == null ? List.of() : List.copyOf(values);
    }

    public static Dimension choice(List<?> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a choice needs at least one value");
        }
        return new Dimension(List.copyOf(values), Double.NaN, Double.NaN, Scale.CHOICE);
    }

    public static Dimension fixed(Object value) {
        return choice(List.of(value));
    }

    public static Dimension range(double min, double max, Scale scale) {
        if (scale == Scale.CHOICE) {
            throw new IllegalArgumentException("a range needs a LINEAR, LOG or INTEGER scale");
        }
        return new Dimension(List.of(), min, max, scale);
    }

    public boolean isRange() {
        return scale != Scale.CHOICE;
    }

    /** The matching Arbiter parameter space: fixed value, discrete choice, (log-)uniform or integer range. */
    ParameterSpace<?> toParameterSpace() {
        return switch (scale) {
            case CHOICE -> values.size() == 1 ? new FixedValue<>(values.get(0)) : new DiscreteParameterSpace<>(values);
            case LINEAR -> new ContinuousParameterSpace(min, max);
            case LOG -> new ContinuousParameterSpace(new LogUniformDistribution(min, max));
            case INTEGER -> new IntegerParameterSpace((int) min, (int) max);
        };
    }

    /** As written in the run folder: the list of values, or {@code {min, max, scale}}. */
    Object toJson() {
        if (!isRange()) {
            return values;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", scale == Scale.INTEGER ? (Object) (int) min : min);
        m.put("max", scale == Scale.INTEGER ? (Object) (int) max : max);
        m.put("scale", scale.name().toLowerCase(java.util.Locale.ROOT));
        return m;
    }
}
