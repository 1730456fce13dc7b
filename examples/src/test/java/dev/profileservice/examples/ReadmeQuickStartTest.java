package dev.profileservice.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick-start block is this module's QuickStart.java, character for character (so
 * the compiler checks the README), and running it does what the README says.
 */
class ReadmeQuickStartTest {

    private static String readmeBlock() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("<!-- quickstart -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(m.find())
                .as("README.md has a ```java block after <!-- quickstart -->")
                .isTrue();
        return m.group(1);
    }

    @Test
    void readmeBlockIsTheCompiledExample() throws Exception {
        String source = Files.readString(Path.of("src/main/java/dev/profileservice/examples/QuickStart.java"));
        String withoutPackage = source.replaceFirst("package dev\\.profileservice\\.examples;\\n\\n", "");
        assertThat(readmeBlock()).isEqualTo(withoutPackage);
    }

    @Test
    void quickStartRunsOnAFreshSqliteFile(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[] {dir.resolve("quickstart.db").toString()});
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("Alice: 260 coins, [sword]", "Bob: 510 coins, [sword]", "Carol: 10 coins, [sword]");
        assertThat(printed).contains("Alice left (profile released)", "Bob left", "Carol left");
    }
}
