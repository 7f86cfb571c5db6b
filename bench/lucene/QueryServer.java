import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MultiCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopFieldCollector;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * Answers the bench's requests on stdin, one JSON object a line, with one JSON line on stdout, until stdin closes.
 *
 * {"op": "rank", "text": …, "conjunction": true}  → {"ids": [top 10]}: the words escaped, AND or OR between them
 * {"op": "search", "text": …, "source": [], "section": [], "day_from": n, "day_to": n}
 *     → {"total": n, "ids": [top 10]}: the text in QueryParser syntax (phrases, -word), filters, counts per
 *     source and year over all matches, and a highlighted snippet per hit, as tantivy_engine.py does
 */
final class QueryServer {
    private static final int TOP = 10;
    // Score first; equal scores in corpus order (see ArticleDocuments.POSITION), not in internal number order.
    private static final Sort BY_SCORE = new Sort(SortField.FIELD_SCORE,
            new SortField(ArticleDocuments.POSITION, SortField.Type.LONG));
    // Words that the classic QueryParser reads as operators even after escape(): lowered, as the analyzer would.
    private static final Pattern OPERATOR_WORDS = Pattern.compile("\\b(AND|OR|NOT|TO)\\b");

    private final IndexSearcher searcher;
    private final QueryParser allWords;
    private final QueryParser anyWord;
    private final UnifiedHighlighter highlighter;

    QueryServer(Analyzer analyzer, Path indexDir, float titleBoost) throws IOException {
        searcher = new IndexSearcher(DirectoryReader.open(FSDirectory.open(indexDir)));
        String[] fields = {ArticleDocuments.TITLE, ArticleDocuments.TEXT};
        // `text` holds the title too: the boost is a title match's weight on top of it, as in Loupe and tantivy.
        Map<String, Float> boosts = Map.of(ArticleDocuments.TITLE, titleBoost, ArticleDocuments.TEXT, 1.0f);
        allWords = new MultiFieldQueryParser(fields, analyzer, boosts);
        allWords.setDefaultOperator(QueryParser.Operator.AND);
        anyWord = new MultiFieldQueryParser(fields, analyzer, boosts);
        anyWord.setDefaultOperator(QueryParser.Operator.OR);
        highlighter = new UnifiedHighlighter(searcher, analyzer);
        highlighter.setFormatter(new DefaultPassageFormatter("<mark>", "</mark>", "… ", true));
    }

    /** The user's words with every QueryParser special character escaped, so `?` or `"` never breaks parsing. */
    static String plainWords(String text) {
        Matcher operators = OPERATOR_WORDS.matcher(QueryParser.escape(text));
        StringBuilder out = new StringBuilder();
        while (operators.find()) {
            operators.appendReplacement(out, operators.group(1).toLowerCase());
        }
        return operators.appendTail(out).toString();
    }

    void serve() throws IOException {
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream answers = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        answers.println("{\"ready\": true}");
        answers.flush();
        for (String line = requests.readLine(); line != null; line = requests.readLine()) {
            String answer;
            try {
                answer = answer(Json.parseObject(line));
            } catch (Exception e) {
                answer = "{\"error\": " + Json.quote(e.toString()) + "}";
            }
            answers.println(answer);
            answers.flush();
        }
    }

    private String answer(Map<String, Object> request) throws Exception {
        String text = (String) request.get("text");
        switch ((String) request.get("op")) {
            case "rank": {
                QueryParser parser = Boolean.TRUE.equals(request.get("conjunction")) ? allWords : anyWord;
                TopDocs top = searcher.search(parser.parse(plainWords(text)), TOP, BY_SCORE);
                return "{\"ids\": " + Json.quoteAll(ids(top)) + "}";
            }
            case "search":
                return search(text, request);
            default:
                throw new IllegalArgumentException("unknown op " + request.get("op"));
        }
    }

    private String search(String text, Map<String, Object> request) throws Exception {
        Query words;
        try {
            words = allWords.parse(text);
        } catch (ParseException e) {
            words = allWords.parse(plainWords(text));
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder().add(words, BooleanClause.Occur.MUST);
        for (String field : new String[] {ArticleDocuments.SOURCE, ArticleDocuments.SECTION}) {
            List<BytesRef> values = new ArrayList<>();
            Object wanted = request.get(field);
            if (wanted instanceof List) {
                for (Object value : (List<?>) wanted) {
                    values.add(new BytesRef(value.toString()));
                }
            }
            if (!values.isEmpty()) {
                query.add(new TermInSetQuery(field, values), BooleanClause.Occur.FILTER);
            }
        }
        if (request.get("day_from") != null) {
            int low = ((Number) request.get("day_from")).intValue();
            int high = ((Number) request.get("day_to")).intValue();
            query.add(IntPoint.newRangeQuery(ArticleDocuments.DAY, low, high), BooleanClause.Occur.FILTER);
        }
        Query built = query.build();
        TopFieldCollector top = TopFieldCollector.create(BY_SCORE, TOP, TOP);
        Counts counts = new Counts();
        searcher.search(built, MultiCollector.wrap(top, counts));
        counts.finish();
        TopDocs hits = top.topDocs();
        highlighter.highlight(ArticleDocuments.TEXT, built, hits);  // snippets made, as the other engines make them
        return "{\"total\": " + counts.total + ", \"ids\": " + Json.quoteAll(ids(hits)) + "}";
    }

    /** The hits' ids, from the `id` doc values (a fresh iterator per hit: hits are not in document order). */
    private List<String> ids(TopDocs top) throws IOException {
        List<String> found = new ArrayList<>();
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        for (ScoreDoc hit : top.scoreDocs) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(hit.doc, leaves));
            SortedDocValues ids = DocValues.getSorted(leaf.reader(), ArticleDocuments.ID);
            if (!ids.advanceExact(hit.doc - leaf.docBase)) {
                throw new IllegalStateException("document " + hit.doc + " has no id");
            }
            found.add(ids.lookupOrd(ids.ordValue()).utf8ToString());
        }
        return found;
    }

    /** Every match counted per source and per year from doc values: the two facets the other references count. */
    static final class Counts extends SimpleCollector {
        final Map<String, Integer> bySource = new HashMap<>();
        final Map<Long, Integer> byYear = new HashMap<>();
        long total;
        private SortedDocValues sources;
        private NumericDocValues years;
        private int[] sourceOrdinals = new int[0];  // per segment, turned into names when the segment ends

        @Override
        protected void doSetNextReader(LeafReaderContext context) throws IOException {
            flushSegment();
            sources = DocValues.getSorted(context.reader(), ArticleDocuments.SOURCE);
            years = DocValues.getNumeric(context.reader(), ArticleDocuments.YEAR);
            sourceOrdinals = new int[sources.getValueCount()];
        }

        @Override
        public void collect(int doc) throws IOException {
            total++;
            if (sources.advanceExact(doc)) {
                sourceOrdinals[sources.ordValue()]++;
            }
            if (years.advanceExact(doc)) {
                byYear.merge(years.longValue(), 1, Integer::sum);
            }
        }

        /** Call once the search is over: the last segment's ordinals become names. */
        void finish() throws IOException {
            flushSegment();
            sourceOrdinals = new int[0];
        }

        private void flushSegment() throws IOException {
            for (int ordinal = 0; ordinal < sourceOrdinals.length; ordinal++) {
                if (sourceOrdinals[ordinal] > 0) {
                    bySource.merge(sources.lookupOrd(ordinal).utf8ToString(), sourceOrdinals[ordinal], Integer::sum);
                }
            }
        }

        @Override
        public ScoreMode scoreMode() {
            return ScoreMode.COMPLETE_NO_SCORES;
        }
    }
}
