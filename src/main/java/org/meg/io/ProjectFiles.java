package org.meg.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds the project's shipped files (under {@code weights/}) from wherever the JVM runs. */
public final class ProjectFiles {
    /** System property naming the project root; {@code bin/meg} sets it. */
    public static final String HOME_PROPERTY = "meg.home";

    private ProjectFiles() {
    }

    /**
     * The file {@code relative} under {@code -Dmeg.home}, or else under the working directory or
     * one of its parents; an error naming every place looked at.
     */
    public static Path find(String relative) {
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && Files.exists(Paths.get(home).resolve(relative))) {
            return Paths.get(home).resolve(relative);
        }
        Path start = Paths.get("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(relative))) {
                return p.resolve(relative);
            }
        }
        throw new IllegalStateException("not found: " + relative + " (looked in -D" + HOME_PROPERTY + "=" + home
                + ", " + start + " and its parents)");
    }
}
