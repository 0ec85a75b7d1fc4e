import { Component } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { LogEvent } from 'rxlog';
import { injectLogger } from 'rxlog/angular';
import { asapScheduler, map, observeOn, scan } from 'rxjs';

interface Row {
  readonly time: string;
  readonly level: string;
  readonly message: string;
  readonly seq: unknown;
}

/** The latest events from the logger's `events$`, newest first. */
@Component({
  selector: 'app-log-viewer',
  template: `
    <h2>Latest events</h2>
    <table id="log-viewer">
      <tr>
        <th>Seq</th>
        <th>Time</th>
        <th>Level</th>
        <th>Message</th>
      </tr>
      @for (row of rows(); track row.seq) {
        <tr [class]="'level-' + row.level">
          <td class="seq">{{ row.seq }}</td>
          <td>{{ row.time }}</td>
          <td>{{ row.level }}</td>
          <td class="message">{{ row.message }}</td>
        </tr>
      }
    </table>
  `,
})
export class LogViewer {
  protected readonly rows = toSignal(
    // On a microtask: an event logged inside a computed or a template expression, where Angular
    // refuses signal writes, is shown too.
    injectLogger().events$.pipe(
      observeOn(asapScheduler),
      map(toRow),
      scan((rows: readonly Row[], row: Row) => [row, ...rows].slice(0, 20), []),
    ),
    { initialValue: [] as readonly Row[] },
  );
}

function toRow(event: LogEvent): Row {
  return {
    time: event.timestamp.toISOString().slice(11, 23),
    level: event.level,
    message: event.renderMessage(),
    seq: event.properties['Seq'],
  };
}
