package loupe.solr;

import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one SolrCloud node (Jetty + Solr) in this JVM until the JVM is told to stop.
 *
 * <p>Usage: {@code SolrNode SOLR_HOME PORT}, with {@code -DzkHost=127.0.0.1:PORT/solr}. The node
 * listens on 127.0.0.1 only (JettySolrRunner binds its connector there) and registers itself in
 * ZooKeeper as {@code 127.0.0.1:PORT_solr}, through the solr.xml found in SOLR_HOME.
 *
 * <p>JettySolrRunner comes from Solr's test framework but needs no JUnit: the traps are {@code
 * jetty.testMode} (never set it: it turns on the test SSL setup) and the randomized-testing
 * context, which only MiniSolrCloudCluster's helpers use; this class uses neither.
 */
public final class SolrNode {
  private static final Logger log = LoggerFactory.getLogger(MethodHandles.lookup().lookupClass());

  private SolrNode() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: SolrNode SOLR_HOME PORT  (with -DzkHost=HOST:PORT/chroot)");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    if (System.getProperty("zkHost", "").isEmpty()) {
      fail("no -DzkHost given: this launcher only runs SolrCloud nodes", null);
    }
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      fail("no solr.xml in " + home, null);
    }

    JettyConfig config =
        JettyConfig.builder()
            .setContext("/solr")
            .setPort(port)
            // Fail at once when the port is taken, instead of retrying for a minute.
            .withPortRetryTime(0)
            // Our own hook stops Solr cleanly (it leaves live_nodes at once) before Jetty goes.
            .stopAtShutdown(false)
            .build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Loupe launcher: stopping the Solr node on port {}", port);
                  try {
                    runner.stop();
                  } catch (Exception e) {
                    log.error("Loupe launcher: error while stopping Solr", e);
                  }
                },
                "loupe-solr-stop"));

    try {
      runner.start();
    } catch (Exception e) {
      fail("Jetty did not start on 127.0.0.1:" + port, e);
    }
    // A Solr that failed to start leaves Jetty running with no CoreContainer: do not linger.
    if (runner.getCoreContainer() == null) {
      fail("Solr did not start (no CoreContainer): see the errors above in this log", null);
    }
    log.info("Loupe launcher: Solr node ready at {}", runner.getBaseUrl());
  }

  private static void fail(String message, Exception cause) {
    log.error("Loupe launcher: {}", message, cause);
    System.err.println("SolrNode: " + message + (cause == null ? "" : ": " + cause));
    System.exit(1);
  }
}
