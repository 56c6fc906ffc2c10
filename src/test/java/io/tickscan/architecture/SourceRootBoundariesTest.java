package io.tickscan.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of the four source roots of ARCHITECTURE.md, with packages read from the folders themselves:
 * {@code rules-dsl/} depends on the JDK alone, {@code codecs/} on the JDK and Vert.x core's buffer and event
 * bus, {@code web/} never on {@code verticles/} nor on {@code rules-dsl/}, and no package lives in two roots.
 */
class SourceRootBoundariesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tickscan");
    }

    /** Package patterns ({@code io.tickscan.engine..}) of the Java files under a source root. */
    static String[] packagesOf(String root) {
        Path dir = Path.of(root);
        if (!Files.isDirectory(dir)) {
            return new String[0];
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> dir.relativize(p.getParent()).toString().replace('/', '.'))
                    .collect(Collectors.toCollection(java.util.TreeSet::new)).stream()
                    .map(p -> p + "..").toArray(String[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] plus(String[] packages, String... more) {
        return Stream.concat(Stream.of(packages), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void noPackageLivesInTwoSourceRoots() {
        Set<String> seen = new HashSet<>();
        for (String root : List.of("codecs", "rules-dsl", "verticles", "web")) {
            for (String pkg : packagesOf(root)) {
                assertThat(seen.add(pkg)).as("%s is in %s and another root", pkg, root).isTrue();
            }
        }
        assertThat(packagesOf("rules-dsl")).isNotEmpty();
    }

    @Test
    void theRulesEngineDependsOnTheJdkAlone() {
        String[] rules = packagesOf("rules-dsl");
        classes().that().resideInAnyPackage(rules)
                .should().onlyDependOnClassesThat().resideInAnyPackage(plus(rules, "java.."))
                .check(classes);
    }

    /** The wire contract: Vert.x buffers and the event bus, and JSON for the alert's form at the edges. */
    @Test
    void theWireContractDependsOnVertxBufferEventBusAndJsonAlone() {
        String[] codecs = packagesOf("codecs");
        classes().that().resideInAnyPackage(codecs)
                .should().onlyDependOnClassesThat().resideInAnyPackage(plus(codecs, "java..", "io.vertx.core.buffer..",
                        "io.vertx.core.eventbus..", "io.vertx.core.json.."))
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void theWebSideNeverReachesIntoTheScannerSide() {
        noClasses().that().resideInAnyPackage(packagesOf("web"))
                .should().dependOnClassesThat().resideInAnyPackage(packagesOf("verticles"))
                .allowEmptyShould(false)
                .check(classes);
    }

    @Test
    void theWebSideNeverReachesIntoTheRulesEngine() {
        noClasses().that().resideInAnyPackage(packagesOf("web"))
                .should().dependOnClassesThat().resideInAnyPackage(packagesOf("rules-dsl"))
                .allowEmptyShould(false)
                .check(classes);
    }
}
