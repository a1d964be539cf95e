package dev.rtrs.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import javax.json.Json;
import javax.json.JsonReader;
import javax.json.JsonStructure;
import org.apache.karaf.shell.api.action.Action;

/** Runs a command as the shell does and returns what it printed; parses JSON output with a real parser. */
final class Shell {

    private Shell() {}

    /** Everything the command printed; what it throws is thrown on, with nothing printed. */
    static synchronized String run(Action command) throws Exception {
        PrintStream before = System.out;
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
        try {
            command.execute();
        } finally {
            System.setOut(before);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    /** The command's output, which must be exactly one JSON document on one line. */
    static JsonStructure json(Action command) throws Exception {
        String out = run(command);
        if (out.strip().contains("\n")) {
            throw new AssertionError("JSON output is not one line: " + out);
        }
        try (JsonReader reader = Json.createReader(new StringReader(out))) {
            return reader.read();
        }
    }
}
