/** A record citing a source, as a CSV row: the source's id and publisher as columns of their own. */
export function withSourceColumns<T extends { source: { id: string; publisher: string } }>({ source, ...record }: T) {
  return { ...record, sourceId: source.id, sourcePublisher: source.publisher };
}
