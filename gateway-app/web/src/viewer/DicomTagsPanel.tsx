import {
  describeTransferSyntax,
  formatDicomDate,
  formatPersonName,
  type DicomImage,
} from '../../../src/viewer';

type TagSource = Pick<
  DicomImage,
  | 'patientName'
  | 'patientId'
  | 'studyDate'
  | 'modality'
  | 'studyDescription'
  | 'seriesDescription'
  | 'instanceNumber'
> &
  Partial<
    Pick<
      DicomImage,
      'rows' | 'columns' | 'bitsAllocated' | 'bitsStored' | 'samplesPerPixel' | 'transferSyntaxUid'
    >
  >;

const dash = (value: string | number | undefined): string =>
  value === undefined || value === '' ? '—' : String(value);

/** The key tags of the image on screen, as a definition list. */
export function DicomTagsPanel({
  image,
  transferSyntaxUid,
}: {
  image: TagSource;
  transferSyntaxUid?: string;
}) {
  const syntax = image.transferSyntaxUid ?? transferSyntaxUid;
  const rows: [string, string][] = [
    ['Patient', image.patientName ? formatPersonName(image.patientName) : '—'],
    ['Patient ID', dash(image.patientId)],
    ['Study date', image.studyDate ? formatDicomDate(image.studyDate) : '—'],
    ['Modality', dash(image.modality)],
    ['Study description', dash(image.studyDescription)],
    ['Series description', dash(image.seriesDescription)],
    ['Instance number', dash(image.instanceNumber)],
    ['Image size', image.columns && image.rows ? `${image.columns} × ${image.rows} pixels` : '—'],
    [
      'Bit depth',
      image.bitsAllocated
        ? `${image.bitsStored ?? image.bitsAllocated} bits stored of ${image.bitsAllocated}` +
          (image.samplesPerPixel === 3 ? ', colour' : '')
        : '—',
    ],
    ['Transfer syntax', syntax ? describeTransferSyntax(syntax) : '—'],
  ];
  return (
    <dl className="dicom-tags" data-testid="dicom-tags">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
