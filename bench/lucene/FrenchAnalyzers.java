import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.util.ElisionFilter;

/** The two French analysis chains the bench compares, by the name the Python side uses. */
final class FrenchAnalyzers {
    private FrenchAnalyzers() {
    }

    /**
     * `fr`: Lucene's stock FrenchAnalyzer (what Elasticsearch's `french`, OpenSearch and Solr's text_fr use).
     * `fr_fold`: the same chain with ASCII folding before the light stemmer, the usual best practice.
     */
    static Analyzer named(String name) {
        switch (name) {
            case "fr": return new FrenchAnalyzer();
            case "fr_fold": return new FoldingFrenchAnalyzer();
            default: throw new IllegalArgumentException("unknown analyzer " + name + " (fr, fr_fold)");
        }
    }

    /** StandardTokenizer → elision → lowercase → French stop words → ASCII folding → FrenchLightStemFilter. */
    static final class FoldingFrenchAnalyzer extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            StandardTokenizer source = new StandardTokenizer();
            TokenStream tokens = new ElisionFilter(source, FrenchAnalyzer.DEFAULT_ARTICLES);
            tokens = new LowerCaseFilter(tokens);
            // Stop words before folding, as the stock chain has them: the list is written with accents.
            tokens = new StopFilter(tokens, FrenchAnalyzer.getDefaultStopSet());
            tokens = new ASCIIFoldingFilter(tokens);
            tokens = new FrenchLightStemFilter(tokens);
            return new TokenStreamComponents(source, tokens);
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return new ASCIIFoldingFilter(new LowerCaseFilter(new ElisionFilter(in, FrenchAnalyzer.DEFAULT_ARTICLES)));
        }
    }
}
