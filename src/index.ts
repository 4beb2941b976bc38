import { run } from './main.js';

// The only statement that runs at load: the action's entry point.
void run();
