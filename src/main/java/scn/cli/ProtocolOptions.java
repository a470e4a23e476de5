package scn.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import scn.eval.Protocol;

/**
 * {@code --protocol NAME} and the four values that may override it, shared by the commands that score
 * detections ({@code evaluate}, {@code eval}, {@code train}, and the Spark module's). A score means little
 * without its protocol (GEN1 detections score 0.02 mAP apart under SPEC's and Prophesee's toolbox filters),
 * so the commands print and write the protocol with every score.
 */
public final class ProtocolOptions {
    @Option(
            names = "--protocol",
            paramLabel = "NAME",
            converter = Named.class,
            description = "Evaluation protocol: gen1 (SPEC section 7, the default), psee-gen1 (Prophesee's "
                    + "psee_evaluator.py for GEN1) or gen4 (1 Mpx camera).")
    Protocol named; // null: not given

    @Option(
            names = "--skip-us",
            paramLabel = "US",
            description = "Drop boxes at t <= US microseconds (overrides the protocol's).")
    Long skipUs;

    @Option(
            names = "--min-diag",
            paramLabel = "PX",
            description = "Drop boxes with a diagonal below PX pixels (overrides the protocol's).")
    Double minDiag;

    @Option(
            names = "--min-side",
            paramLabel = "PX",
            description = "Drop boxes with a side below PX pixels (overrides the protocol's).")
    Double minSide;

    @Option(
            names = "--time-tol-us",
            paramLabel = "US",
            description = "A detection belongs to labels within US microseconds of it (overrides the protocol's).")
    Long timeTolUs;

    /** The protocol asked for; {@link IllegalArgumentException} for an override out of range. */
    Protocol protocol() {
        return (named != null ? named : Protocol.GEN1).with(skipUs, minDiag, minSide, timeTolUs);
    }

    /** As {@link #protocol()}, with an override out of range reported as {@code command: why}; null then (exit 2). */
    public Protocol protocolOrReport(String command) {
        try {
            return protocol();
        } catch (IllegalArgumentException e) {
            System.err.println(command + ": " + e.getMessage());
            return null;
        }
    }

    /** Whether any of the options was given. */
    boolean given() {
        return named != null || skipUs != null || minDiag != null || minSide != null || timeTolUs != null;
    }

    /** Names to protocols, so picocli reports an unknown name with the known ones. */
    static final class Named implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            try {
                return Protocol.named(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
