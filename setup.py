"""mmdet_is: importance sampling for MMDetection 3.x detectors.

Install the OpenMMLab stack first with ``bash tools/install.sh`` (it builds
mmcv 2.1.0 with its compiled ops, which pip cannot do through dependencies).
"""
from setuptools import find_packages, setup

setup(
    name='mmdet_is',
    version='0.2.0',
    description='Importance-sampled training for MMDetection detectors',
    packages=find_packages(include=['mmdet_is', 'mmdet_is.*']),
    # torch 2.13, the version tools/install.sh pins, requires Python >= 3.10
    python_requires='>=3.10',
    install_requires=[
        'torch>=2.1,<2.14',
        'mmengine==0.10.7',
        'mmcv>=2.0.0,<2.2.0',
        'mmdet==3.3.0',
        'pycocotools>=2.0.8',
        'numpy',
        'matplotlib',
        'pillow',
        'tqdm',
    ],
    extras_require=dict(
        tests=['pytest', 'scipy'],
        # ZOD devkit (ZODDataset, the ZODFAR converter); zod 0.8.0 imports
        # JSONSerializable, gone in dataclass-wizard 1.0
        zod=['zod==0.8.0', 'dataclass-wizard<1']),
)
