package io.tickscan.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The UI in headless Chromium against a real standalone node in this JVM: the simulator on a few symbols and a
 * rule that holds for every symbol ({@code last > 0}, cooldown 5 s), so that alerts flow within seconds. Every
 * test ends by reading the browser's console: nothing may be logged at SEVERE but the 422 replies the rule
 * validation gives on purpose.
 */
@DisplayName("the web UI, in headless Chromium")
class BrowserIT {
    private static final String NODE_ID = "browser-it";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static TickscanNode node;
    static ChromeDriver browser;
    static String base;

    WebDriverWait wait;

    @BeforeAll
    static void startNodeAndBrowser() throws Exception {
        JsonArray rules = new JsonArray().add(new JsonObject().put("id", "ui-every").put("name", "Every symbol")
                .put("when", "last > 0").put("cooldown_sec", 5));
        Path rulesFile = dir.resolve("rules.json");
        Files.writeString(rulesFile, new JsonObject().put("rules", rules).encodePrettily());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("node").put("id", NODE_ID);
        conf.getJsonObject("cluster").put("enabled", false);
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("rules").put("file", rulesFile.toString());
        conf.getJsonObject("sources").getJsonObject("simulator").put("symbols", 20).put("ticks_per_second", 200)
                .put("backfill_minutes", 5);
        node = TestNodes.start(dir, conf);
        base = "http://127.0.0.1:" + node.httpPort() + "/";
        browser = Browser.start(1400, 1000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (node != null) {
            node.stop().await(60, TimeUnit.SECONDS);
        }
    }

    /** Each test starts from a page loaded anew, with nothing remembered from the one before. */
    @BeforeEach
    void freshPage() {
        wait = new WebDriverWait(browser, PATIENCE);
        wait.ignoring(StaleElementReferenceException.class);
        browser.get(base);
        browser.executeScript("localStorage.clear()");
        browser.navigate().refresh();
    }

    @AfterEach
    void noConsoleErrors() {
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.contains("/api/rules/validate") || !message.contains("status of 422"))
                .toList();
        assertThat(severe).as("errors in the browser's console").isEmpty();
    }

    private void open(String hash) {
        browser.get(base + hash);
    }

    private WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private void type(String css, String text) {
        WebElement field = visible(css);
        field.clear();
        field.sendKeys(text);
    }

    @Test
    @DisplayName("the feed connects to /ws/alerts and shows the rule's alerts with their metrics")
    void alertRowsArriveInTheFeed() {
        open("#/");
        wait.until(ExpectedConditions.attributeToBe(By.id("conn"), "data-state", "open"));
        assertThat(browser.findElement(By.id("conn")).getText()).contains(NODE_ID);
        WebElement row = visible("#feed tbody tr[data-rule='ui-every']");
        assertThat(row.findElement(By.cssSelector("td.symbol")).getText()).startsWith("SIM");
        assertThat(row.findElement(By.cssSelector("td.metrics")).getText()).startsWith("last ");
    }

    @Test
    @DisplayName("a symbol filter is sent as a subscription, confirmed by the node, and only its alerts are shown")
    void aSymbolFilterSubscribes() {
        open("#/");
        String symbol = visible("#feed tbody tr[data-rule='ui-every']").getDomAttribute("data-symbol");
        visible("#feed-symbols").sendKeys(symbol, Keys.TAB);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("feed-subscribed"), symbol));
        int before = browser.findElements(By.cssSelector("#feed tbody tr")).size();
        wait.until(d -> d.findElements(By.cssSelector("#feed tbody tr")).size() > before);
        assertThat(browser.findElements(By.cssSelector("#feed tbody tr")))
                .allSatisfy(row -> assertThat(row.getDomAttribute("data-symbol")).isEqualTo(symbol));
    }

    @Test
    @DisplayName("a paused feed holds new alerts back and shows them on resume")
    void pauseHoldsAlertsBackUntilResume() {
        open("#/");
        visible("#feed tbody tr[data-rule='ui-every']");
        visible("#feed-pause").click();
        int shown = browser.findElements(By.cssSelector("#feed tbody tr")).size();
        wait.until(d -> Integer.parseInt(visible("#feed-waiting").getDomAttribute("data-count")) > 0);
        assertThat(browser.findElements(By.cssSelector("#feed tbody tr"))).hasSize(shown);
        visible("#feed-pause").click();
        wait.until(d -> d.findElements(By.cssSelector("#feed tbody tr")).size() > shown);
        assertThat(browser.findElements(By.id("feed-waiting"))).isEmpty();
    }

    @Test
    @DisplayName("a rule created in the editor is previewed, saved, listed, and its alerts reach the feed")
    void aRuleCreatedInTheUiFires() {
        open("#/rules/new");
        type("#rule-id", "ui-made");
        type("#rule-name", "Made in the browser");
        type("#rule-when", "last > 0");
        type("#rule-cooldown_sec", "5");
        wait.until(d -> Integer.parseInt(visible("#rule-preview-count").getDomAttribute("data-count")) > 0);
        assertThat(visible("#rule-preview-count").getText()).matches("\\d+ symbols? match(es)? now");
        visible("#rule-save").click();
        wait.until(ExpectedConditions.urlToBe(base + "#/rules"));
        visible("#rules tbody tr[data-rule='ui-made']");
        open("#/");
        visible("#feed tbody tr[data-rule='ui-made']");
    }

    @Test
    @DisplayName("a bad rule shows its error under the field, marked at its column, and cannot be saved")
    void aBadRuleShowsItsErrorInline() {
        open("#/rules/new");
        type("#rule-id", "ui-bad");
        type("#rule-when", "last > 0 and rel_volume(5) > 2");
        WebElement mark = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("mark.when-error")));
        assertThat(mark.getDomAttribute("data-column")).isEqualTo("25");
        assertThat(mark.getText()).isEqualTo("5");
        assertThat(visible("#rule-when-error").getText()).contains("takes a window in minutes");
        assertThat(browser.findElement(By.id("rule-save")).isEnabled()).isFalse();
    }

    @Test
    @DisplayName("clicking an alert opens its symbol: candles on a canvas, last price, the metrics the rules read")
    void anAlertOpensItsSymbolsChart() {
        open("#/");
        visible("#feed tbody tr[data-rule='ui-every']");
        visible("#feed-pause").click(); // so that no new row moves the one clicked
        wait.until(ExpectedConditions.textToBe(By.id("feed-pause"), "resume"));
        WebElement row = visible("#feed tbody tr[data-rule='ui-every']");
        String symbol = row.getDomAttribute("data-symbol");
        row.findElement(By.cssSelector("td.time")).click();
        wait.until(ExpectedConditions.urlToBe(base + "#/symbol/" + symbol));
        visible("#chart canvas");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".metrics-box"), "last"));
        assertThat(visible(".symbol-title").getText()).isEqualTo(symbol);
    }

    @Test
    @DisplayName("the rules page lists the node's rules")
    void theRulesPageListsTheRules() {
        open("#/rules");
        WebElement row = visible("#rules tbody tr[data-rule='ui-every']");
        assertThat(row.getText()).contains("Every symbol", "last > 0", "5 s");
    }

    @Test
    @DisplayName("the status page shows the node")
    void theStatusPageShowsTheNode() {
        open("#/status");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#status tr[data-key='node'] td"), NODE_ID));
    }

    @Test
    @DisplayName("the theme toggle is remembered across a reload")
    void theThemeIsRemembered() {
        open("#/status");
        String before = browser.findElement(By.tagName("html")).getDomAttribute("data-theme");
        visible("#theme-toggle").click();
        String after = before.equals("dark") ? "light" : "dark";
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "data-theme", after));
        browser.navigate().refresh();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "data-theme", after));
    }
}
