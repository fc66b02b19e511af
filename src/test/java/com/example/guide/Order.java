package com.example.guide;

/** An order, as the library guide's examples publish it (JSON, by JSON-B). */
public record Order(String id, long total) {
}
