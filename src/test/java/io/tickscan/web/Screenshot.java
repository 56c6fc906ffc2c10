package io.tickscan.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Saves a PNG of a page as headless Chromium shows it, for the README:
 *
 * <pre>
 * bench/run io.tickscan.web.Screenshot URL OUT.png [CSS_SELECTOR [WIDTHxHEIGHT [THEME]]]
 * bench/run io.tickscan.web.Screenshot http://localhost:8080/ docs/feed.png "#feed tbody tr:nth-child(20)" 1400x900 dark
 * </pre>
 *
 * It waits (up to 60 s) for the page to load and, when given, for an element matching the selector to be visible;
 * THEME ({@code dark} or {@code light}) is stored in the page's localStorage and the page loaded again with it.
 */
public final class Screenshot {
    private Screenshot() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 5) {
            System.err.println("usage: Screenshot URL OUT.png [CSS_SELECTOR [WIDTHxHEIGHT [dark|light]]]");
            System.exit(2);
        }
        String[] size = (args.length > 3 ? args[3] : "1400x900").split("x");
        ChromeDriver driver = Browser.start(Integer.parseInt(size[0]), Integer.parseInt(size[1]));
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            driver.get(args[0]);
            if (args.length > 4) {
                driver.executeScript("localStorage.setItem('tickscan.theme', JSON.stringify(arguments[0]))", args[4]);
                driver.navigate().refresh();
            }
            wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
            if (args.length > 2 && !args[2].isEmpty()) {
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(args[2])));
            }
            Path out = Path.of(args[1]).toAbsolutePath();
            Files.createDirectories(out.getParent());
            Files.write(out, driver.getScreenshotAs(OutputType.BYTES));
            System.out.println("saved " + out);
        } finally {
            driver.quit();
        }
    }
}
