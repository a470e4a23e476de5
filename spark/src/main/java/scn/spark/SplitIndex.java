package scn.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import scn.data.Dataset;
import scn.data.DatasetIndex;

/**
 * The loader's cache of a split on Spark, one task per recording: the index {@link Dataset#open} builds (every event
 * decoded once, each window's event range located), written to the file it reuses ({@link Dataset#cacheFile}: beside
 * the recordings, or under the engine's cache folder when the data folder is read-only). The loader caches nothing
 * else: it encodes samples as it reads them.
 *
 * <p>Only the recordings the cache lacks, or whose files changed, are indexed, each in a task; a task sends its
 * recording back as the cache file's own lines ({@link DatasetIndex#cacheEntry}), and the driver writes the file as
 * the single-process loader would, byte for byte.
 */
public final class SplitIndex {
    private SplitIndex() {}

    /** A recording to index, as plain values for a task. */
    record Todo(
            String name,
            String eventFile,
            String bbox,
            long eventFileSize,
            long eventFileMtime,
            long bboxSize,
            long bboxMtime)
            implements Serializable {
        static Todo of(DatasetIndex.Stale s) {
            return new Todo(
                    s.name(),
                    s.eventFile().toString(),
                    s.bbox().toString(),
                    s.eventFileStamp().size(),
                    s.eventFileStamp().mtimeMillis(),
                    s.bboxStamp().size(),
                    s.bboxStamp().mtimeMillis());
        }

        /** Indexes the recording: its lines of the cache file. */
        String index() {
            DatasetIndex.Stale s = new DatasetIndex.Stale(
                    name,
                    Path.of(eventFile),
                    Path.of(bbox),
                    new DatasetIndex.FileStamp(eventFileSize, eventFileMtime),
                    new DatasetIndex.FileStamp(bboxSize, bboxMtime));
            return DatasetIndex.cacheEntry(s.index());
        }
    }

    /**
     * Indexes split {@code split} of {@code data} into its cache file, the recordings not cached (or changed) in a
     * Spark task each, and returns the index; a split whose cache is up to date starts no job.
     */
    public static DatasetIndex run(JavaSparkContext spark, Path data, String split) throws IOException {
        if (!Files.isDirectory(data)) throw new IOException("the data folder " + data + " does not exist");
        Path dir = data.resolve(split); // as Dataset resolves it, so the paths read back are the same
        return Dataset.index(data, split, stale -> {
            List<Todo> todo = stale.stream().map(Todo::of).toList();
            List<String> entries =
                    spark.parallelize(todo, todo.size()).map(Todo::index).collect();
            return entries.stream()
                    .map(e -> DatasetIndex.fromCacheEntry(e, dir))
                    .toList();
        });
    }
}
