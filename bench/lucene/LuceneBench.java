import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Lucene 8 as a reference engine of Loupe's benchmark (driven by bench/engines/lucene.py).
 *
 *     java LuceneBench build  ANALYZER CORPUS.jsonl INDEX_DIR   → one JSON line: documents, seconds, peak RSS
 *     java LuceneBench update ANALYZER EDITED.jsonl INDEX_DIR   → one JSON line: documents, seconds
 *     java LuceneBench serve  ANALYZER INDEX_DIR TITLE_BOOST    → JSON lines in, JSON lines out (QueryServer)
 *
 * ANALYZER is `fr` (Lucene's FrenchAnalyzer) or `fr_fold` (the same with ASCII folding before the stemmer).
 */
public final class LuceneBench {
    private LuceneBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: LuceneBench build|update|serve ANALYZER PATH PATH-OR-BOOST");
            System.exit(2);
        }
        String analyzer = args[1];
        long started = System.nanoTime();
        switch (args[0]) {
            case "build": {
                long documents = IndexBuilder.build(FrenchAnalyzers.named(analyzer), Paths.get(args[2]), Paths.get(args[3]));
                report(documents, started);
                break;
            }
            case "update": {
                long documents = IndexBuilder.update(FrenchAnalyzers.named(analyzer), Paths.get(args[2]), Paths.get(args[3]));
                report(documents, started);
                break;
            }
            case "serve":
                new QueryServer(FrenchAnalyzers.named(analyzer), Paths.get(args[2]), Float.parseFloat(args[3])).serve();
                break;
            default:
                System.err.println("unknown command " + args[0] + " (build, update, serve)");
                System.exit(2);
        }
    }

    /** Seconds since `started` (JVM start excluded) and this process's peak resident memory, as one JSON line. */
    private static void report(long documents, long started) throws Exception {
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println("{\"documents\": " + documents + ", \"seconds\": " + seconds
                + ", \"peak_rss_kib\": " + peakRssKib() + "}");
    }

    /** VmHWM from /proc/self/status: the same measure build_child.py takes of the Python engines. */
    private static long peakRssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        return 0;
    }
}
