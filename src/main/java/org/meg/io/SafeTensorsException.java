package org.meg.io;

/** A safetensors file or a checkpoint is malformed, incomplete or does not fit the model. */
public final class SafeTensorsException extends RuntimeException {
    /** Creates the exception with a message naming the problem. */
    public SafeTensorsException(String message) {
        super(message);
    }

    /** Creates the exception with a message and its cause. */
    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
