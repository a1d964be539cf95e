package dev.rtrs.shell.internal.completers;

import java.util.Collection;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes from a set of words, as every completer here does. */
final class Candidates {

    private Candidates() {}

    /**
     * The command's first argument when the cursor is past it (the session a path belongs to), or null. Options and
     * their values are not told apart from arguments: the path commands take none before the session.
     */
    static String firstArgument(CommandLine line) {
        String[] words = line.getArguments();
        int cursor = line.getCursorArgumentIndex();
        for (int i = 1; i < words.length && i < cursor; i++) {
            if (!words[i].startsWith("-")) {
                return words[i];
            }
        }
        return null;
    }

    static int complete(Collection<String> words, Session session, CommandLine line, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        delegate.getStrings().addAll(words);
        return delegate.complete(session, line, candidates);
    }
}
