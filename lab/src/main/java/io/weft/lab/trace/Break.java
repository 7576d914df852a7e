package io.weft.lab.trace;

/**
 * Where the path breaks and why: the last step of a broken trace.
 *
 * @param step the number of the step that is missing or wrong
 * @param why  what is wrong, what the kernel does with the packet because of it, and what fixes it
 */
public record Break(int step, String why) {
}
