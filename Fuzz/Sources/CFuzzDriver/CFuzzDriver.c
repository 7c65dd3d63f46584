// The declaration in CFuzzDriver.h is implemented by libFuzzer.
