package scn.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import scn.data.synth.SyntheticDataset;

/**
 * What the module's tests share, made once per test JVM: a Spark context in local mode with two task slots (a
 * context takes seconds to start, and a JVM holds one at a time) and a tiny synthetic dataset: four recordings of
 * 1.2 s, two of them in {@code train} (22 samples), one in {@code val} and one in {@code test}.
 */
final class LocalSpark {
    private static JavaSparkContext spark;
    private static Path data;

    private LocalSpark() {}

    static synchronized JavaSparkContext context() {
        if (spark == null) {
            spark = new JavaSparkContext(
                    new SparkConf().setMaster("local[2]").setAppName("scn-test").set("spark.ui.enabled", "false"));
            Runtime.getRuntime().addShutdownHook(new Thread(spark::close));
        }
        return spark;
    }

    static synchronized Path data() {
        if (data == null) {
            try {
                Path dir = Files.createTempDirectory("scn-spark-");
                SyntheticDataset.generate(dir, new SyntheticDataset.Config(4, 1, 1.2, 10.0, 5000, 2), s -> {});
                data = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }
}
