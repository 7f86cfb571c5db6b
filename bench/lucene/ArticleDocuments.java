import java.util.Map;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.util.BytesRef;

/** One corpus record (a parsed JSON line) as a Lucene document: the same fields as the other reference engines. */
final class ArticleDocuments {
    static final String ID = "id";
    static final String TITLE = "title";
    static final String TEXT = "text";
    static final String SOURCE = "source";
    static final String SECTION = "section";
    static final String YEAR = "year";
    static final String DAY = "day";
    // The record's line in the corpus file: ties in score are broken by it, so that a build by several
    // threads (which hands out internal document numbers in no fixed order) ranks as a one-thread build would.
    static final String POSITION = "position";

    private ArticleDocuments() {
    }

    static Document of(Map<String, Object> record, long position) {
        String title = field(record, "title");
        Document doc = new Document();
        doc.add(new NumericDocValuesField(POSITION, position));
        doc.add(new StringField(ID, field(record, "id"), Field.Store.YES));
        // Hits' ids come from doc values: loading a stored document decompresses its whole block (its text).
        doc.add(new SortedDocValuesField(ID, new BytesRef(field(record, "id"))));
        doc.add(new TextField(TITLE, title, Field.Store.YES));
        // Stored for the highlighter, which analyses the stored text again (Elasticsearch's default too).
        doc.add(new TextField(TEXT, fullText(record), Field.Store.YES));
        for (String name : new String[] {SOURCE, SECTION}) {
            String value = field(record, name);
            doc.add(new StringField(name, value, Field.Store.NO));        // filters
            doc.add(new SortedDocValuesField(name, new BytesRef(value)));  // counts
        }
        String date = field(record, "date");
        int year = date.length() >= 4 ? Integer.parseInt(date.substring(0, 4)) : 0;
        int day = date.length() >= 10 ? Integer.parseInt(date.substring(0, 10).replace("-", "")) : 0;
        doc.add(new IntPoint(YEAR, year));
        doc.add(new NumericDocValuesField(YEAR, year));
        doc.add(new IntPoint(DAY, day));
        return doc;
    }

    private static String field(Map<String, Object> record, String name) {
        Object value = record.get(name);
        return value == null ? "" : value.toString();
    }

    /** Title, summary and body joined by blank lines, as bench.corpus.full_text (and Loupe's `text`) joins them. */
    static String fullText(Map<String, Object> record) {
        StringBuilder out = new StringBuilder();
        for (String part : new String[] {"title", "summary", "body"}) {
            String value = field(record, part);
            if (!value.isEmpty()) {
                out.append(out.length() == 0 ? "" : "\n\n").append(value);
            }
        }
        return out.toString();
    }
}
