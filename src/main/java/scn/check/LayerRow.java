package scn.check;

import java.util.Map;

/**
 * One row of the layer-by-layer report.
 *
 * @param layer          the layer's name
 * @param kind           {@code conv-bn-plif}, {@code conv-bn-relu} or the operation's kind
 * @param elements       its output's size
 * @param outputError    the output's largest error over what it was allowed (0 for spikes, which are judged by flips)
 * @param preError       the largest error of the neuron input (0 for other layers)
 * @param preBoundRatio  the largest ratio of that error to its bound (at most 1 when the layer passes)
 * @param spikes         the candidate's spikes
 * @param differing      its spikes that differ from the reference's (the flips and what they did in the same neuron)
 * @param flips          its decisions that differ from the forced reference's own
 * @param explained      those that lie within the bound of the threshold
 * @param closest        of the explained flips, the largest distance to the threshold over its bound (NaN when none)
 * @param gradErrors     each gradient's largest error over what it was allowed (see {@link LayerCheck#GRAD_RTOL}; at
 * most 1 to pass)
 */
public record LayerRow(
        String layer,
        String kind,
        long elements,
        double outputError,
        double preError,
        double preBoundRatio,
        long spikes,
        long differing,
        long flips,
        long explained,
        double closest,
        Map<String, Double> gradErrors) {
    /** The largest gradient error, or 0. */
    public double worstGradient() {
        return gradErrors.values().stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(0);
    }
}
