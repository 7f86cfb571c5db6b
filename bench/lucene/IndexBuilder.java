import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;

/** Full build from the bench corpus (JSONL), and the 1% update: delete by id, add, commit. */
final class IndexBuilder {
    static final double RAM_BUFFER_MB = 256;  // Loupe's and tantivy's writers get 256 MB too

    private IndexBuilder() {
    }

    private static IndexWriter writer(Analyzer analyzer, Path indexDir, IndexWriterConfig.OpenMode mode)
            throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(analyzer)
                .setRAMBufferSizeMB(RAM_BUFFER_MB)
                .setOpenMode(mode);
        return new IndexWriter(FSDirectory.open(indexDir), config);
    }

    /**
     * Index every line of `corpus`; returns the number of documents. One thread reads lines, one thread per core
     * parses JSON and analyses (IndexWriter is thread-safe), as tantivy's writer uses every core.
     */
    static long build(Analyzer analyzer, Path corpus, Path indexDir) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        // A bounded queue with caller-runs: the reader helps when the workers fall behind, and memory stays flat.
        ExecutorService workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 64), new ThreadPoolExecutor.CallerRunsPolicy());
        AtomicReference<Exception> failure = new AtomicReference<>();
        long count = 0;
        try (IndexWriter writer = writer(analyzer, indexDir, IndexWriterConfig.OpenMode.CREATE);
             BufferedReader lines = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String record = line;
                long position = count;
                workers.execute(() -> {
                    try {
                        writer.addDocument(ArticleDocuments.of(Json.parseObject(record), position));
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                });
                count++;
            }
            workers.shutdown();
            workers.awaitTermination(1, TimeUnit.DAYS);
            if (failure.get() != null) {
                throw failure.get();
            }
            writer.commit();
        }
        return count;
    }

    /**
     * Replace each record of `edited` by id, then commit once; returns the number replaced. Each line is
     * {"position": n, "record": {…}}: the record and its line in the corpus file.
     */
    static long update(Analyzer analyzer, Path edited, Path indexDir) throws IOException {
        long count = 0;
        try (IndexWriter writer = writer(analyzer, indexDir, IndexWriterConfig.OpenMode.APPEND);
             BufferedReader lines = Files.newBufferedReader(edited, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> change = Json.parseObject(line);
                @SuppressWarnings("unchecked")
                Map<String, Object> record = (Map<String, Object>) change.get("record");
                Document doc = ArticleDocuments.of(record, ((Number) change.get("position")).longValue());
                // updateDocument is Lucene's delete-by-term then add, atomically.
                writer.updateDocument(new Term(ArticleDocuments.ID, doc.get(ArticleDocuments.ID)), doc);
                count++;
            }
            writer.commit();
        }
        return count;
    }
}
