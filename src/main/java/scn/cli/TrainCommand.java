package scn.cli;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import scn.train.TrainOptions;
import scn.train.Trainer;

/**
 * {@code engine train}: the training run. Without {@code --data} it trains the {@code quick} preset on
 * the built-in synthetic dataset (generated on first use) and prints the validation mAP; with
 * {@code --data DIR} it trains the {@code full} preset (SPEC section 5) on a GEN1-layout folder. Every
 * setting of the preset can be overridden; {@code --resume} continues a run from its checkpoint with
 * the settings stored there.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the spiking detector (or its ReLU teacher) with AdamW, cosine annealing and evaluation on val.",
            "With no arguments: the quick preset on the built-in synthetic dataset."
        })
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainArgs args;

    @Override
    public Integer call() throws IOException {
        Trainer trainer;
        try {
            if (args.resume() != null && args.protocolGiven()) {
                System.err.println("train: a resumed run scores with the protocol stored in its checkpoint; "
                        + "drop --protocol and its overrides (score the weights with 'eval --protocol' instead)");
                return 2;
            }
            if (args.resume() != null) {
                trainer = Trainer.resume(args.resume(), args.runDirOrNull(), args.device(), System.out);
            } else {
                TrainOptions o = args.options();
                trainer = Trainer.start(o, System.out);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("train: " + e.getMessage());
            return 2;
        }
        System.out.println("backend: " + trainer.backend());
        System.out.println("run directory: " + trainer.runDir());
        Trainer.Summary s = trainer.run();
        if (s.stopped()) return 130;
        System.out.printf(Locale.ROOT, "%ndone: %d epochs, %d steps in %.0f s%n", s.epochs(), s.steps(), s.seconds());
        System.out.printf(
                Locale.ROOT,
                "val mAP@[.5:.95] %.4f  AP50 %.4f  AP75 %.4f%n",
                s.valMap(),
                s.val().getOrDefault("ap50", -1.0),
                s.val().getOrDefault("ap75", -1.0));
        System.out.println("protocol: " + trainer.protocol().describe());
        System.out.println("summary: " + trainer.runDir().resolve(Trainer.SUMMARY) + ", weights: "
                + trainer.runDir().resolve(Trainer.MODEL));
        return 0;
    }
}
