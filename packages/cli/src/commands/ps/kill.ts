import { stopCommand } from './stop.js';

export default stopCommand('kill');
