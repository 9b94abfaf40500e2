package dev.vfiosim.server.control;

/** A control command line: its first word and the rest, both trimmed. */
record ControlLine(String word, String rest) {
    static ControlLine of(String line) {
        String trimmed = line.trim();
        String word = trimmed.split("\\s+", 2)[0];
        return new ControlLine(word, trimmed.substring(word.length()).trim());
    }

    /** The whole command again, trimmed. */
    String whole() {
        return rest.isEmpty() ? word : word + " " + rest;
    }

    /** A refusal in the control socket's framing. */
    static String error(String why) {
        return "error: " + why + "\n\n";
    }
}
