// The generic host is wired in the queue-processing step of issue 5.
return 0;
