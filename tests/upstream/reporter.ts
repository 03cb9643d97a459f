/** A node:test reporter printing one JSON line per finished test: its file, name and outcome. */
interface TestEventData {
  name: string;
  file?: string;
  nesting: number;
  skip?: boolean | string;
  todo?: boolean | string;
  details: { type?: string; error?: { message?: string; cause?: { message?: string } } };
}

interface TestEvent {
  type: string;
  data: TestEventData;
}

/** Reports each test as `{"file","name","outcome","error"}`. */
export default async function* jsonLines(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, skip, details } = event.data;
    if (details.type === 'suite') continue;
    const outcome =
      skip !== undefined && skip !== false ? 'skip' : event.type === 'test:pass' ? 'pass' : 'fail';
    const error = details.error?.cause?.message ?? details.error?.message;
    yield `${JSON.stringify({ file: file?.split('/').pop(), name, outcome, error })}\n`;
  }
}
