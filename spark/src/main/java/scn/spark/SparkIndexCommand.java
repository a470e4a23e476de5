package scn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.data.Dataset;
import scn.data.DatasetIndex;

/** {@code engine-spark index}: the loader's index cache of a data folder's splits, one Spark task per recording. */
@Command(
        name = "index",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Index the recordings of a data folder's splits into the cache the loader reuses, one Spark task per"
                    + " recording that the cache lacks or whose files changed.",
            "The cache file is the one train, detect, eval and energy would write: beside the recordings, or in the"
                    + " engine's cache folder (SCN_CACHE) when the data folder is read-only."
        })
final class SparkIndexCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "GEN1-layout data folder.")
    Path data;

    @Option(
            names = "--split",
            split = ",",
            description = "Splits to index, e.g. train,val (default: every one of train, val, test the folder has).")
    List<String> splits;

    @Option(names = "--master", description = "Spark master when spark-submit gave none (default local[*]).")
    String master;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(data)) throw new IOException("the data folder " + data + " does not exist");
        List<String> todo = splits != null ? splits : present(data);
        if (todo.isEmpty()) throw new IOException(data + ": has none of the folders " + Dataset.SPLITS);
        int failed = 0;
        try (JavaSparkContext spark = SparkTrainCommand.context("scn-index", master, "local[*]")) {
            for (String split : todo) {
                DatasetIndex index = SplitIndex.run(spark, data, split);
                List<DatasetIndex.Recording> all = index.recordings();
                long samples = 0, usable = 0;
                for (DatasetIndex.Recording r : all) {
                    if (r.ok()) usable++;
                    else System.err.println("index: " + split + ": skipped: " + r.problem());
                    samples += r.samples().size();
                }
                if (all.isEmpty()) {
                    System.err.println("index: " + data.resolve(split) + ": no recordings (NAME_td.dat, NAME.raw or"
                            + " NAME_td.raw with NAME_bbox.npy)");
                    failed++;
                    continue;
                }
                System.out.printf(
                        "%s: %d recording%s (%d indexed in Spark tasks, %d from the cache), %d usable, %d samples;"
                                + " cache %s%n",
                        split,
                        all.size(),
                        all.size() == 1 ? "" : "s",
                        index.rebuiltCount(),
                        all.size() - index.rebuiltCount(),
                        usable,
                        samples,
                        Dataset.cacheFile(data, split));
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static List<String> present(Path data) {
        List<String> out = new ArrayList<>();
        for (String s : Dataset.SPLITS) if (Files.isDirectory(data.resolve(s))) out.add(s);
        return out;
    }
}
