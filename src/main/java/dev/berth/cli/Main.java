package dev.berth.cli;
public class Main { public static void main(String[] a) {} }
