package io.weft.lab.doctor;

import java.util.Objects;

/**
 * One problem a check found.
 *
 * @param problem what is wrong, with the real names and numbers
 * @param why what it does to pod traffic
 * @param fix the command or flag that repairs it
 */
public record Finding(String problem, String why, String fix) {
    public Finding {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(why, "why");
        Objects.requireNonNull(fix, "fix");
    }
}
